/**
 * Crash safety (issue 10): the gateway process SIGKILLed at a seeded random point while writers stream to a
 * published document on the redis backend loses no acknowledged point, and serves again after a restart on the same
 * data. See crash-harness.ts.
 */
import { gatewayKillSuite } from "./crash-gateway-suite.ts";

gatewayKillSuite("redis");
