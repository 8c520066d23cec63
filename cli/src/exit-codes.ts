/** Exit codes: 0 ok, 1 failure, 2 usage (a bad flag, a missing argument, an unknown command). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** 128 + SIGINT, the shell convention for "interrupted": the run did not complete. */
export const EXIT_INTERRUPTED = 130;
