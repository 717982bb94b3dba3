//! The neurons of one layer, shared by the threads that optimise them.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Neurons of one layer still to optimise: whoever is free takes the next one, so a thread
/// that drew harder LPs does not hold up the layer.
pub(super) struct NeuronQueue {
    neurons: Vec<usize>,
    next: AtomicUsize,
}

impl NeuronQueue {
    /// A queue handing out `neurons` in order.
    pub(super) fn new(neurons: Vec<usize>) -> Self {
        Self {
            neurons,
            next: AtomicUsize::new(0),
        }
    }

    /// The next neuron, or `None` when all are taken.
    pub(super) fn pop(&self) -> Option<usize> {
        self.neurons
            .get(self.next.fetch_add(1, Ordering::Relaxed))
            .copied()
    }
}
