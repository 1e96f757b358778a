use crate::SprigFunc;

pub(crate) fn functions() -> Vec<SprigFunc> {
    Vec::new()
}
