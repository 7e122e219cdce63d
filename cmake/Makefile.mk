# The CMake package: find_package(comex) gives comex::comex and comex::armci
# (cmake/comexConfig.cmake.in).  Installed beside the pkg-config files; paths
# in it are relative to its own folder, computed here from the install dirs.
cmakedir = $(libdir)/cmake/comex
cmake_DATA = cmake/comexConfig.cmake cmake/comexConfigVersion.cmake
CLEANFILES += $(cmake_DATA)
EXTRA_DIST += cmake/comexConfig.cmake.in cmake/comexConfigVersion.cmake.in

cmake/comexConfig.cmake cmake/comexConfigVersion.cmake: cmake/%: $(srcdir)/cmake/%.in Makefile
	@$(MKDIR_P) cmake
	$(AM_V_GEN)rel_lib=`realpath -m --relative-to='$(cmakedir)' '$(libdir)'`; \
	rel_inc=`realpath -m --relative-to='$(cmakedir)' '$(includedir)'`; \
	sed -e "s|[@]PACKAGE_VERSION[@]|$(PACKAGE_VERSION)|g" \
	    -e "s|[@]VERSION_MAJOR[@]|`echo $(PACKAGE_VERSION) | cut -d. -f1`|g" \
	    -e "s|[@]REL_LIBDIR[@]|$$rel_lib|g" -e "s|[@]REL_INCLUDEDIR[@]|$$rel_inc|g" \
	    -e "s|[@]MPICC[@]|$(MPICC)|g" -e "s|[@]MPI_DESCRIPTION[@]|$(MPI_DESCRIPTION)|g" \
	    $(srcdir)/cmake/$*.in > $@
