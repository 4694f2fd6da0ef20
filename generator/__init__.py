"""Bilingual briefing-site generator: curated YAML data -> validated models -> pages, charts, PDFs."""

__version__ = "0.1.0"
