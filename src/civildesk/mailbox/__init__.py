"""The appeals mailbox (issue 9): authors reply to a notice by e-mail; a worker reads the mailbox
over IMAP, keeps every mail, and opens the appeal it belongs to exactly once."""
