# CX_GTEST: GoogleTest from Debian's libgtest-dev (no network at make check).
AC_DEFUN([CX_GTEST], [
  PKG_CHECK_MODULES([GTEST], [gtest >= 1.10],
    [cx_have_gtest=yes; cx_gtest_summary=`$PKG_CONFIG --modversion gtest`],
    [cx_have_gtest=no; cx_gtest_summary="not found (make check disabled)"
     AC_MSG_WARN([GoogleTest not found: install libgtest-dev to run make check])])
  AM_CONDITIONAL([HAVE_GTEST], [test "x$cx_have_gtest" = xyes])
])
