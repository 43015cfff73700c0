"""pgaf.cosim"""
