from django.urls import path

from accounts import apis

urlpatterns = [
    path("auth/token/", apis.TokenCreateApi.as_view(), name="api-token"),
    path("auth/tokens/", apis.TokenListApi.as_view(), name="api-tokens"),
    path("auth/tokens/<int:id>/", apis.TokenRevokeApi.as_view(), name="api-token-revoke"),
    path("me/", apis.MeApi.as_view(), name="api-me"),
    path("forces/", apis.ForceListApi.as_view(), name="api-forces"),
    path("beats/", apis.BeatListApi.as_view(), name="api-beats"),
    path("retailers/", apis.RetailerListApi.as_view(), name="api-retailers"),
    path("stores/", apis.StoreListApi.as_view(), name="api-stores"),
    path("stores/<int:pk>/", apis.StoreDetailApi.as_view(), name="api-store"),
    path("users/", apis.UserListApi.as_view(), name="api-users"),
    path("users/<int:pk>/", apis.UserDetailApi.as_view(), name="api-user"),
]
