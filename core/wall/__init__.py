"""The wall (一屏全域): its playlist and the figures it shows, without Qt."""
