import KeywayCore

/// Swift Testing has a `Tag` of its own; in these tests `Tag` is the domain's.
typealias Tag = KeywayCore.Tag
