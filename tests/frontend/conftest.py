"""Fixtures for the frontend tests (see docs/deploy.md)."""

from __future__ import annotations
