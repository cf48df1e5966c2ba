"""Domain vocabulary: ids, enums and plain records shared by every core module."""
