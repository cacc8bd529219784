"""publicity"""
