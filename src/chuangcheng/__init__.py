"""Chuangcheng (创城): a platform for running a civilized-city campaign in a subdistrict."""

__version__ = "0.1.0"
