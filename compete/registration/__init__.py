"""Registrations, eligibility review and Excel import."""
