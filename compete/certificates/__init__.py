"""Certificates: designs, numbering, issuing from final outcomes, printing, public verification, revocation."""
