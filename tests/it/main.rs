
mod reports;
mod fixes;
mod flow_tests;
