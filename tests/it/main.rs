
mod reports;
mod fixes;
