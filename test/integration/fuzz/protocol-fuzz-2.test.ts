/** Protocol fuzzing, in process: cases 30,000..64,999 of the CI seed (see protocol-fuzz.test.ts for the rest). */
import { inProcessFuzzSuite } from "./in-process-suite.ts";

inProcessFuzzSuite(30_000, 35_000);
