/** Protocol fuzzing, in process: cases 65,000..99,999 of the CI seed (see protocol-fuzz.test.ts for the rest). */
import { CI_IN_PROCESS_CASES, inProcessFuzzSuite } from "./in-process-suite.ts";

inProcessFuzzSuite(65_000, CI_IN_PROCESS_CASES - 65_000);
