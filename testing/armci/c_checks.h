/* Checks shared by the plain C test programs (see c_checks.c). */
#ifndef COMEX_TESTING_ARMCI_C_CHECKS_H_
#define COMEX_TESTING_ARMCI_C_CHECKS_H_

/* Run every check after ARMCI_Init; 0 if all passed on every rank. */
int run_c_checks(void);

#endif
