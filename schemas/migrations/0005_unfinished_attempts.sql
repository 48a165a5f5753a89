-- csirtgw store, version 5: how many times the pipeline began a message and
-- never finished with it, because the process (or its OpenPGP worker) died on
-- it. Raised before a batch's stages touch its messages, lowered again when an
-- attempt ends without dying; a message whose count reaches
-- openpgp.worker_failures is quarantined before any stage sees it again, so one
-- message that kills the daemon cannot stop it for good.
ALTER TABLE messages ADD COLUMN unfinished_attempts INTEGER NOT NULL DEFAULT 0;
