//! Fixture bundles against sigstore-go's verifier, which checks what cosign's legacy path does
//! not: the inclusion proof, the signed checkpoint, and the trusted_root.json format.
