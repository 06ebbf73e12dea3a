"""Error codes of offenders, reference photos, orders, prohibitions and the premises import.

Clients branch on these strings: never change one. ``invalid`` and ``permission_denied`` are
``core.exceptions.ErrorCode``'s; the checks of an uploaded image are ``core.images.ImageErrorCode``'s;
refusals of the face in a photo (``no_face``, ...) are recognition's."""

from core.exceptions import ErrorCodes


class OrderErrorCode(ErrorCodes):
    # Any record
    REQUIRED = "required", "A required value is missing or blank (see `fields`)."
    OUT_OF_BOUNDS = "out_of_bounds", "A latitude or longitude is outside the UK."
    DATE_OUT_OF_RANGE = "date_out_of_range", "A date is outside 1900-2199."
    REASON_REQUIRED = "reason_required", "Say why: a discharge, variation or deletion needs a reason."

    # Offenders
    INVALID_PNC_ID = "invalid_pnc_id", "The PNC ID is not in the form 2009/0012345E, or its check letter is wrong."
    DUPLICATE_PNC_ID = "duplicate_pnc_id", "The force already holds an offender with this PNC ID (409)."
    DATE_OF_BIRTH_FUTURE = "date_of_birth_future", "The date of birth is in the future."
    DATE_OF_BIRTH_INVALID = "date_of_birth_invalid", "The date of birth is before 1900."

    # Reference photos
    TAKEN_ON_FUTURE = "taken_on_future", "The photo's date is in the future."
    TAKEN_BEFORE_BIRTH = "taken_before_birth", "The photo's date is before the person was born."
    DUPLICATE_PHOTO = "duplicate_photo", "The same photo is already held for this person (409)."

    # Orders
    MADE_IN_FUTURE = "made_in_future", "The order's made date is in the future."
    EFFECTIVE_BEFORE_MADE = (
        "effective_before_made",
        ("The order takes effect before it was made, or a full order before the interim order it replaces."),
    )
    END_REQUIRED = "end_required", "Give the order's end date, or mark it indefinite."
    END_AND_INDEFINITE = "end_and_indefinite", "An indefinite order has no end date."
    ENDS_BEFORE_START = "ends_before_start", "An order or prohibition ends before it starts."
    SERVED_BEFORE_MADE = "served_before_made", "The order was served before it was made."
    SERVED_IN_FUTURE = "served_in_future", "The service date is in the future."
    YOUTH_ORDER_ADULT = "youth_order_adult", "A youth order for a person 18 or over when it was made."
    SUPERVISOR_REQUIRED = "supervisor_required", "Positive requirements need a named supervisor."
    REPLACES_OTHER_PERSON = "replaces_other_person", "The order replaced is another person's."
    REPLACES_NOT_INTERIM = "replaces_not_interim", "Only a full order can replace an interim order."
    ALREADY_REPLACED = "already_replaced", "The order was already replaced by a full order (409)."
    ALREADY_DISCHARGED = "already_discharged", "The order was already discharged (409)."
    ALREADY_SERVED = "already_served", "The order was already served (409)."
    NOT_CORRECTABLE = "not_correctable", "That field is changed by a variation or discharge, not a correction."
    ORDER_ENDED = "order_ended", "The order had already ended on that day (409)."
    DISCHARGE_BEFORE_MADE = "discharge_before_made", "The discharge comes before the order was made."
    VARIATION_BEFORE_MADE = "variation_before_made", "The variation comes before the order was made."
    ENDS_BEFORE_VARIATION = "ends_before_variation", "A variation cannot end the order before the variation."
    NOTHING_TO_VARY = "nothing_to_vary", "The variation changes nothing."
    BEFORE_VARIATION = "before_variation", "A prohibition added by a variation cannot start before it."

    # Prohibitions
    NO_PREMISES = "no_premises", "A prohibition names no store, area or zone."
    STORE_OTHER_FORCE = "store_other_force", "A store is not one of the force's (or does not exist)."
    BEAT_OTHER_FORCE = "beat_other_force", "A beat is not one of the force's (or does not exist)."
    INCOMPLETE_CIRCLE = "incomplete_circle", "A circle needs a centre latitude, longitude and radius."
    INVALID_RADIUS = "invalid_radius", "The radius must be 1 to 50,000 metres."
    ZONE_AMBIGUOUS = "zone_ambiguous", "An exclusion zone has both a polygon and a circle."
    NOT_FOR_KIND = "not_for_kind", "A field that does not apply to this kind of prohibition was given."
    OUTSIDE_ORDER = "outside_order", "The prohibition's period runs outside the order's."
    NOT_IN_ORDER = "not_in_order", "The prohibition is not part of this order (or not named premises)."
    ALREADY_REMOVED = "already_removed", "The prohibition was already removed by a variation (409)."
    PROHIBITION_IN_USE = "prohibition_in_use", "A breach case cites the prohibition, so it cannot be deleted (409)."
    POLYGON_NOT_POLYGON = "polygon_not_polygon", "The zone is not a GeoJSON Polygon."
    POLYGON_TOO_FEW = "polygon_too_few", "The polygon has too few positions or corners."
    POLYGON_BAD_POSITION = "polygon_bad_position", "A position of the polygon is not [longitude, latitude]."
    POLYGON_OUT_OF_BOUNDS = "polygon_out_of_bounds", "A position of the polygon is outside the UK."
    POLYGON_NOT_CLOSED = "polygon_not_closed", "The polygon's last position does not repeat its first."
    POLYGON_TOO_MANY = "polygon_too_many", "The polygon has more than 2000 positions."
    POLYGON_SELF_INTERSECTION = "polygon_self_intersection", "The polygon crosses or folds back on itself."
    POLYGON_HOLE_OUTSIDE = "polygon_hole_outside", "A hole of the polygon lies outside its outer ring."

    # Premises import (CSV)
    CSV_TOO_LARGE = "csv_too_large", "The CSV file is over 1 MB or 5000 rows."
    CSV_ENCODING = "csv_encoding", "The file is not UTF-8 text."
    CSV_HEADER = "csv_header", "The first row is not the header 'store_code,postcode' (optionally 'retailer')."
    CSV_MALFORMED = "csv_malformed", "A line of the file cannot be read as CSV."
    CSV_EMPTY = "csv_empty", "The file has a header but no rows."
    CSV_ROWS_INVALID = "csv_rows_invalid", "Some rows are wrong (see `fields`, one per line); nothing was imported."

    @classmethod
    def polygon(cls, geometry_code: str) -> "OrderErrorCode":
        """The code of a ``orders.geo.GeometryError`` (``not_closed`` -> ``polygon_not_closed``)."""
        return cls(f"polygon_{geometry_code}")
