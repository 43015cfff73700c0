import json

import pytest

from pgaf.golden.errors import UserError
from pgaf.golden.jsonfile import write_json


def test_round_trip(tmp_path):
    path = tmp_path / "r.json"
    write_json(path, {"b": 1, "a": [1.5, None]}, sort_keys=True)
    assert json.loads(path.read_text()) == {"a": [1.5, None], "b": 1}


def test_unwritable_path_is_one_line_user_error(tmp_path):
    with pytest.raises(UserError) as e:
        write_json(tmp_path / "missing-dir" / "r.json", {})
    assert "cannot write" in str(e.value) and "\n" not in str(e.value)
