"""The app beyond its window: notifications, tray icon, single instance, launcher and login start."""
