// Runs before every test file (vitest.config.ts `setupFiles`): outputs allocated without a zero
// fill start as 0xFF bytes, so any kernel that leaves an element of such an output unwritten
// fails the tests that read it, whatever the output's size.
import { poisonUnfilled } from "../../src/backend/js/storage.js";

poisonUnfilled(true);
