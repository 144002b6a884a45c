from django.core.management import call_command


def test_openapi_schema_is_valid_and_generates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = out.read_text(encoding="utf-8")
    assert "/api/v1/imports/{id}/:" in schema
    assert "multipart/form-data" in schema
