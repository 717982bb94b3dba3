//! The sample networks embedded in the binary, so that the app works without any file.
//!
//! This list is the one place to add or replace samples.

use reluscope::formats::json;
use reluscope::network::Network;

/// One embedded sample network.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Short name, also the network's display name (the file stem).
    pub name: &'static str,
    /// One line for the picker's tooltip.
    pub description: &'static str,
    /// The reluscope JSON document.
    pub bytes: &'static [u8],
}

/// Every embedded sample, the default first (all trained by `reluscope samples`).
pub const SAMPLES: &[Sample] = &[
    Sample {
        name: "peaks_25x2",
        description: "peaks on [-2, 2]², 2 hidden layers of 25 ReLUs, plain training",
        bytes: include_bytes!("../../sample_networks/peaks_25x2.json"),
    },
    Sample {
        name: "peaks_25x2_l1",
        description: "peaks on [-2, 2]², 2 hidden layers of 25 ReLUs, trained with L1 (λ = 1e-4): more stable neurons",
        bytes: include_bytes!("../../sample_networks/peaks_25x2_l1.json"),
    },
    Sample {
        name: "peaks_25x2_clip",
        description: "peaks on [-2, 2]², 2 hidden layers of 25 ReLUs, clipped ReLU (cap 1): two breakpoints per neuron",
        bytes: include_bytes!("../../sample_networks/peaks_25x2_clip.json"),
    },
    Sample {
        name: "peaks_25x2_dropout",
        description: "peaks on [-2, 2]², 2 hidden layers of 25 ReLUs, trained with dropout (p = 0.1)",
        bytes: include_bytes!("../../sample_networks/peaks_25x2_dropout.json"),
    },
    Sample {
        name: "peaks_25x3",
        description: "peaks on [-2, 2]², 3 hidden layers of 25 ReLUs, plain training",
        bytes: include_bytes!("../../sample_networks/peaks_25x3.json"),
    },
    Sample {
        name: "peaks_25x3_l1",
        description: "peaks on [-2, 2]², 3 hidden layers of 25 ReLUs, trained with L1 (λ = 1e-4): more stable neurons",
        bytes: include_bytes!("../../sample_networks/peaks_25x3_l1.json"),
    },
    Sample {
        name: "peaks_25x5",
        description: "peaks on [-2, 2]², 5 hidden layers of 25 ReLUs, plain training; slow with interval bounds, a case for tighter bounds",
        bytes: include_bytes!("../../sample_networks/peaks_25x5.json"),
    },
    Sample {
        name: "peaks_25x5_l1",
        description: "peaks on [-2, 2]², 5 hidden layers of 25 ReLUs, trained with L1 (λ = 1e-4): more stable neurons",
        bytes: include_bytes!("../../sample_networks/peaks_25x5_l1.json"),
    },
    Sample {
        name: "himmelblau_25x2",
        description: "Himmelblau on [-5, 5]² (four minima), 2 hidden layers of 25 ReLUs, plain training",
        bytes: include_bytes!("../../sample_networks/himmelblau_25x2.json"),
    },
    Sample {
        name: "himmelblau_25x2_l1",
        description: "Himmelblau on [-5, 5]² (four minima), 2 hidden layers of 25 ReLUs, trained with L1 (λ = 1e-4): more stable neurons",
        bytes: include_bytes!("../../sample_networks/himmelblau_25x2_l1.json"),
    },
    Sample {
        name: "himmelblau_25x3",
        description: "Himmelblau on [-5, 5]² (four minima), 3 hidden layers of 25 ReLUs, plain training",
        bytes: include_bytes!("../../sample_networks/himmelblau_25x3.json"),
    },
    Sample {
        name: "himmelblau_25x3_l1",
        description: "Himmelblau on [-5, 5]² (four minima), 3 hidden layers of 25 ReLUs, trained with L1 (λ = 1e-4): more stable neurons",
        bytes: include_bytes!("../../sample_networks/himmelblau_25x3_l1.json"),
    },
    Sample {
        name: "ackley_25x2",
        description: "Ackley on [-3.5, 3.5]², 2 hidden layers of 25 ReLUs, plain training",
        bytes: include_bytes!("../../sample_networks/ackley_25x2.json"),
    },
    Sample {
        name: "ackley_25x2_l1",
        description: "Ackley on [-3.5, 3.5]², 2 hidden layers of 25 ReLUs, trained with L1 (λ = 1e-4): more stable neurons",
        bytes: include_bytes!("../../sample_networks/ackley_25x2_l1.json"),
    },
    Sample {
        name: "ackley_25x3",
        description: "Ackley on [-3.5, 3.5]², 3 hidden layers of 25 ReLUs, plain training",
        bytes: include_bytes!("../../sample_networks/ackley_25x3.json"),
    },
    Sample {
        name: "ackley_25x3_l1",
        description: "Ackley on [-3.5, 3.5]², 3 hidden layers of 25 ReLUs, trained with L1 (λ = 1e-4): more stable neurons",
        bytes: include_bytes!("../../sample_networks/ackley_25x3_l1.json"),
    },
];

/// The sample the app opens when there is nothing else to open.
pub const DEFAULT_SAMPLE: &str = "peaks_25x2";

/// The sample called `name`, if any.
pub fn find(name: &str) -> Option<&'static Sample> {
    SAMPLES.iter().find(|s| s.name == name)
}

impl Sample {
    /// Parses the embedded document; the network is named after the sample.
    pub fn load(&self) -> Result<Network, String> {
        json::from_bytes(self.bytes)
            .map(|n| n.named(self.name))
            .map_err(|e| format!("sample {}: {e}", self.name))
    }
}

/// The default sample's network.
#[cfg(test)]
pub fn default_network() -> Result<Network, String> {
    find(DEFAULT_SAMPLE)
        .ok_or_else(|| format!("the default sample {DEFAULT_SAMPLE} is not embedded"))?
        .load()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_parses_and_names_are_unique() {
        for sample in SAMPLES {
            let network = sample.load().unwrap();
            assert_eq!(network.name, sample.name);
            assert!(
                network.input_box().is_some(),
                "{} stores a box",
                sample.name
            );
        }
        let mut names: Vec<&str> = SAMPLES.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), SAMPLES.len());
        assert!(find(DEFAULT_SAMPLE).is_some());
    }
}
