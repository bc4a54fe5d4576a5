//! The one piece of `unsafe` in the course, kept here so that no lesson needs it.

use std::mem::MaybeUninit;

/// Lends a byte buffer to socket2's `recv`, which takes `&mut [MaybeUninit<u8>]`.
///
/// socket2 asks for possibly-uninitialised memory so that fast code can skip zeroing a
/// buffer. A lesson zeroes its buffer (`[0u8; 1024]`, like Python's `recv(1024)` gives a
/// fresh `bytes`), and this turns it into the type `recv` wants.
#[allow(unsafe_code)]
pub fn as_uninit(buffer: &mut [u8]) -> &mut [MaybeUninit<u8>] {
    // SAFETY: `MaybeUninit<u8>` has the same size and layout as `u8`. The only writer of the
    // returned slice is `recv(2)`, which writes initialised bytes, so the buffer is still
    // fully initialised when the caller reads it as `[u8]` again.
    unsafe { &mut *(std::ptr::from_mut::<[u8]>(buffer) as *mut [MaybeUninit<u8>]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lent_buffer_is_the_same_memory() {
        let mut buffer = [7u8; 4];
        let lent = as_uninit(&mut buffer);
        assert_eq!(lent.len(), 4);
        lent[1] = MaybeUninit::new(42);
        assert_eq!(buffer, [7, 42, 7, 7]);
    }
}
