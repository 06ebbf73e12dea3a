"""The incidents endpoints are documented in the OpenAPI schema, with examples."""

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_paths_and_methods(schema):
    paths = schema["paths"]
    assert set(paths["/api/incidents/"]) >= {"get", "post"}
    assert set(paths["/api/incidents/{incident_id}/"]) >= {"get"}
    assert set(paths["/api/incidents/{incident_id}/evidence/"]) >= {"get", "post"}


def test_create_accepts_json_and_multipart_with_examples(schema):
    post = schema["paths"]["/api/incidents/"]["post"]
    content = post["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(content)
    assert "Ongoing assault with a weapon (P1)" in {
        e["summary"] for e in content["application/json"]["examples"].values()
    }
    assert "201" in post["responses"] and post["responses"]["201"]["content"]["application/json"]["examples"]


def test_evidence_upload_is_multipart_files(schema):
    post = schema["paths"]["/api/incidents/{incident_id}/evidence/"]["post"]
    body = post["requestBody"]["content"]["multipart/form-data"]
    assert body["examples"]
    component = body["schema"]["$ref"].rsplit("/", 1)[-1]
    files = schema["components"]["schemas"][component]["properties"]["files"]
    assert files["type"] == "array" and files["items"]["format"] == "binary"


def test_list_documents_its_filters(schema):
    names = {p["name"] for p in schema["paths"]["/api/incidents/"]["get"]["parameters"]}
    assert {"store", "category", "status", "priority", "occurred_after", "occurred_before", "page"} <= names
