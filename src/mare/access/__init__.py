"""Access: who is looking, for what purpose, and the one policy that decides what they see."""
