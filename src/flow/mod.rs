//! Flows: the data that describes a troubleshooting wizard.

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FlowError(pub String);

impl FlowError {
    pub fn hint(&self) -> Option<String> {
        None
    }
}
