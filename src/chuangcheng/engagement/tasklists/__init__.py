"""tasklists"""
