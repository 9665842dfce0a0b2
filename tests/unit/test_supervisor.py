"""supervisord program sections: quoting and restart policy."""

from pathlib import Path

import pytest

from testbed_cli.supervisor import Program

pytestmark = pytest.mark.unit


def test_program_quotes_arguments_and_escapes_percent():
    text = Program("x", ["/bin/echo", "a b", "50%"], environment={"TOKEN": "p%q"}).render(Path("/logs"))
    assert 'command=/bin/echo "a b" "50%%"' in text
    assert 'TOKEN="p%%q"' in text
    assert "autorestart=true" in text
    assert "stdout_logfile=/logs/x.log" in text
