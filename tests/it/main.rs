
mod reports;
