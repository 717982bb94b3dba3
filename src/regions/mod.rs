//! Linear regions of a ReLU network (being written).
