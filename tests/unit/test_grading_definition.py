"""The one grading definition (grader/nbgrader_settings.py): the formgrader's config file and the workers'
Config are the same settings, and every HTML rendering of a submission goes through InertNotebook."""

import pytest
from traitlets.config import Config

from grader import nbgrader_settings

pytestmark = pytest.mark.unit


def _from_file(text: str) -> Config:
    c = Config()
    exec(compile(text, "nbgrader_config.py", "exec"), {"get_config": lambda: c})
    return c


def test_does_the_formgrader_config_file_hold_exactly_what_the_workers_apply():
    """Read back as nbgrader reads it, does the written config equal the Config the workers build?"""
    settings = nbgrader_settings.course_settings("/srv/course", "odtb", ckan_url="http://127.0.0.1:5000")
    workers = Config()
    nbgrader_settings.apply(workers, settings)
    assert _from_file(nbgrader_settings.config_file(settings, "test")) == workers
    assert workers.SandboxedExecute.ckan_url == "http://127.0.0.1:5000"


def test_is_every_rendering_of_a_submission_made_inert():
    """Do the course's settings run InertNotebook in every HTMLExporter and refuse javascript: links?"""
    c = Config()
    nbgrader_settings.apply(c, nbgrader_settings.course_settings("/srv/course", "odtb"))
    assert c.HTMLExporter.preprocessors == ["grader.render.InertNotebook"]
    assert c.HTMLExporter.lexer_options == {"allow_harmful_protocols": False}
    assert c.Autograde.autograde_preprocessors[0] == "grader.execute.SandboxedExecute"
    assert "grader.feedback.StripHiddenTests" in c.GenerateFeedback.preprocessors
