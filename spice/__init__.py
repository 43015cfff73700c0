"""pgaf.spice"""
