"""The file delivery front door: signed animated-image URLs and on-demand renders."""
