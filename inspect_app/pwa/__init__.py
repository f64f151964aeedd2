"""Installable app: service worker, web app manifest, offline page."""
