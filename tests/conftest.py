"""Shared test options: --update-golden rewrites the golden documents in output/."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite output/ from examples/ instead of comparing")
