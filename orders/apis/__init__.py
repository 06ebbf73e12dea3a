"""Orders API, one module per aggregate: ``offenders``, ``photos``, ``orders`` and ``prohibitions``
(with the premises import and the prohibited-at question); ``serializers`` and ``common`` are theirs.

Force admins write; beat officers of the same force may read (they review the cases these feed);
shop workers never see any of it (403). Anything outside the user's force is 404.
"""
