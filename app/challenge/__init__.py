"""The triad challenge stage: key lines of enquiry and the challenge conversation (issue 12)."""
