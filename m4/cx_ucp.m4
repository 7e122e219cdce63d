# CX_UCP: UCX's ucp.h (Debian libucx-dev), needed only by the several-hosts
# harness's finalize shim (testing/hosts/finalize_shim.c).
AC_DEFUN([CX_UCP], [
  AC_LANG_PUSH([C])
  AC_CHECK_HEADER([ucp/api/ucp.h], [cx_have_ucp=yes], [cx_have_ucp=no])
  AC_LANG_POP([C])
  AM_CONDITIONAL([HAVE_UCP], [test "x$cx_have_ucp" = xyes])
])
