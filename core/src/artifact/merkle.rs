//! RFC 6962 / RFC 9162 Merkle tree hashing and inclusion proofs, as transparency logs use them.

use sha2::{Digest as _, Sha256};

/// A SHA-256 node hash.
pub type Hash = [u8; 32];

/// Leaf hash: `SHA-256(0x00 || leaf)` (RFC 6962 §2.1).
pub fn leaf_hash(leaf: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(leaf);
    h.finalize().into()
}

/// Interior node hash: `SHA-256(0x01 || left || right)` (RFC 6962 §2.1).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Why an inclusion proof does not lead to the expected root.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InclusionError {
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error(
        "proof has {actual} hashes but a tree of size {size} needs {expected} for leaf {index}"
    )]
    WrongLength {
        index: u64,
        size: u64,
        expected: usize,
        actual: usize,
    },
    #[error("proof leads to root {computed}, expected {expected}")]
    RootMismatch { computed: String, expected: String },
}

/// Recomputes the root from a leaf hash and its audit path (RFC 9162 §2.1.3.2).
pub fn root_from_inclusion_proof(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
) -> Result<Hash, InclusionError> {
    if index >= size {
        return Err(InclusionError::IndexOutOfRange { index, size });
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return Err(wrong_length(index, size, proof.len()));
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(wrong_length(index, size, proof.len()));
    }
    Ok(r)
}

/// Checks that `leaf` is at `index` in the tree of `size` leaves whose root is `root`.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), InclusionError> {
    let computed = root_from_inclusion_proof(index, size, leaf, proof)?;
    if &computed == root {
        Ok(())
    } else {
        Err(InclusionError::RootMismatch {
            computed: hex::encode(computed),
            expected: hex::encode(root),
        })
    }
}

fn wrong_length(index: u64, size: u64, actual: usize) -> InclusionError {
    InclusionError::WrongLength {
        index,
        size,
        expected: proof_len(index, size),
        actual,
    }
}

/// The number of hashes in an inclusion proof for `index` in a tree of `size` leaves.
fn proof_len(index: u64, size: u64) -> usize {
    if size <= 1 {
        return 0;
    }
    let k = largest_power_of_two_below(size);
    if index < k {
        1 + proof_len(index, k)
    } else {
        1 + proof_len(index - k, size - k)
    }
}

/// The largest power of two strictly below `n` (n ≥ 2).
fn largest_power_of_two_below(n: u64) -> u64 {
    let mut k = 1;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

/// A whole tree held in memory: the log side, used to mint proofs (the fixture, benchmarks).
#[derive(Debug, Clone, Default)]
pub struct MerkleTree {
    leaves: Vec<Hash>,
}

impl MerkleTree {
    pub fn new() -> MerkleTree {
        MerkleTree::default()
    }

    /// Appends a leaf (its raw bytes) and returns its index.
    pub fn push(&mut self, leaf: &[u8]) -> u64 {
        self.leaves.push(leaf_hash(leaf));
        (self.leaves.len() - 1) as u64
    }

    pub fn size(&self) -> u64 {
        self.leaves.len() as u64
    }

    /// The root of the whole tree (the hash of the empty string for an empty tree).
    pub fn root(&self) -> Hash {
        subtree_root(&self.leaves)
    }

    /// The audit path for `index` in the current tree (RFC 6962 §2.1.1 PATH).
    pub fn inclusion_proof(&self, index: u64) -> Option<Vec<Hash>> {
        let index = usize::try_from(index).ok()?;
        (index < self.leaves.len()).then(|| path(index, &self.leaves))
    }
}

fn subtree_root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => Sha256::digest([]).into(),
        1 => leaves[0],
        n => {
            let k = largest_power_of_two_below(n as u64) as usize;
            node_hash(&subtree_root(&leaves[..k]), &subtree_root(&leaves[k..]))
        }
    }
}

fn path(index: usize, leaves: &[Hash]) -> Vec<Hash> {
    let n = leaves.len();
    if n <= 1 {
        return Vec::new();
    }
    let k = largest_power_of_two_below(n as u64) as usize;
    if index < k {
        let mut p = path(index, &leaves[..k]);
        p.push(subtree_root(&leaves[k..]));
        p
    } else {
        let mut p = path(index - k, &leaves[k..]);
        p.push(subtree_root(&leaves[..k]));
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_proof_of_every_tree_up_to_33_leaves_verifies() {
        for size in 1..=33u64 {
            let mut tree = MerkleTree::new();
            for i in 0..size {
                tree.push(format!("leaf {i}").as_bytes());
            }
            let root = tree.root();
            for index in 0..size {
                let proof = tree.inclusion_proof(index).unwrap();
                assert_eq!(proof.len(), proof_len(index, size));
                let leaf = leaf_hash(format!("leaf {index}").as_bytes());
                verify_inclusion(index, size, &leaf, &proof, &root).unwrap();
            }
        }
    }

    #[test]
    fn a_proof_for_another_leaf_or_a_shortened_proof_fails() {
        let mut tree = MerkleTree::new();
        for i in 0..7 {
            tree.push(&[i]);
        }
        let root = tree.root();
        let proof = tree.inclusion_proof(3).unwrap();
        let wrong_leaf = leaf_hash(&[4]);
        assert!(matches!(
            verify_inclusion(3, 7, &wrong_leaf, &proof, &root),
            Err(InclusionError::RootMismatch { .. })
        ));
        assert!(matches!(
            verify_inclusion(3, 7, &leaf_hash(&[3]), &proof[1..], &root),
            Err(InclusionError::WrongLength { .. })
        ));
        assert!(matches!(
            verify_inclusion(7, 7, &leaf_hash(&[3]), &proof, &root),
            Err(InclusionError::IndexOutOfRange { .. })
        ));
    }

    #[test]
    fn rfc6962_empty_and_single_leaf_roots() {
        assert_eq!(
            hex::encode(MerkleTree::new().root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let mut one = MerkleTree::new();
        one.push(b"");
        // RFC 6962 test vector: leaf hash of the empty leaf.
        assert_eq!(
            hex::encode(one.root()),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
    }
}
