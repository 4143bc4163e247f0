"""Developer tools used by the Makefile and the test suite (not needed at run time)."""
