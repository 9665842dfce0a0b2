"""nbgrader integration of the testbed."""
