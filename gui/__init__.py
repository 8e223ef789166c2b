"""Fooling Lab's window: Qt widgets that draw the frames ``core`` jobs yield."""
