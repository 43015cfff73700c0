"""pgaf.rtl"""
