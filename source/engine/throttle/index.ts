export {checkThrottleProbes, createThrottleProbe, type ProbeCheck, type ThrottleHandle, type ThrottleOptions} from './throttle-probe.js';
export {parseQueueUrl, parseReplicaUrl, type QueueTarget, type ReplicaTarget} from './throttle-targets.js';
