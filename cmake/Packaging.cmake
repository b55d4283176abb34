# System integration and the Debian package: where units, sysusers and docs go on install, and
# the CPack setup for `cpack -G DEB`. Programs install themselves (each program's CMakeLists),
# so the package holds whatever programs this tree builds.

# ---- install layout ---------------------------------------------------------------------------
# systemd's unit and sysusers paths are fixed below the prefix (not CMAKE_INSTALL_LIBDIR, which
# is lib/<multiarch> on Debian): P/lib/systemd/system and P/lib/sysusers.d.
install(FILES ${PROJECT_SOURCE_DIR}/systemd/seqgated.service
              ${PROJECT_SOURCE_DIR}/systemd/seqgate-ingest.service
        DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/systemd/seqgate.sysusers
        DESTINATION lib/sysusers.d RENAME seqgate.conf)
# The units' Documentation= points here.
install(FILES ${PROJECT_SOURCE_DIR}/docs/operations.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The live configuration files, copies of the examples, exist only in the package (as
# conffiles): an absolute /etc destination must never be written by `cmake --install --prefix`,
# so they are a separate component that plain installs leave out and CPack adds below.
install(FILES ${PROJECT_SOURCE_DIR}/config/seqgated.example.toml
        DESTINATION /etc/seqgate RENAME seqgated.toml
        COMPONENT conffiles EXCLUDE_FROM_ALL)
install(FILES ${PROJECT_SOURCE_DIR}/config/seqgate-ingest.example.toml
        DESTINATION /etc/seqgate RENAME seqgate-ingest.toml
        COMPONENT conffiles EXCLUDE_FROM_ALL)

# ---- the Debian package -----------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME seqgate)
set(CPACK_PACKAGE_VENDOR "seqgate")
set(CPACK_PACKAGE_CONTACT "seqgate maintainers <seqgate@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "sequencer-to-genome-centre transfer: gateway daemon, ingest server and CLI")
set(CPACK_PACKAGE_DESCRIPTION
    "seqgated watches sequencer run folders, checksums and compresses every file into seekable
zstd frames and uploads it over tus with mutual TLS; seqgate-ingest is the centre's server that
verifies each file end to end before storing it; seqgatectl is the operator's CLI. Both daemons
ship as hardened systemd units (Type=notify, watchdog, journald fields).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Everything installed by default, plus the conffiles component.
set(CPACK_INSTALL_CMAKE_PROJECTS
    "${PROJECT_BINARY_DIR};${PROJECT_NAME};ALL;/"
    "${PROJECT_BINARY_DIR};${PROJECT_NAME};conffiles;/")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Programs ship stripped, as Debian expects; the build tree keeps the debug information.
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies are read off the binaries by dpkg-shlibdeps (dpkg-dev); the maintainer
# scripts need systemd-sysusers or, failing that, adduser.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd | adduser")
configure_file(${CMAKE_CURRENT_LIST_DIR}/debian/conffiles ${PROJECT_BINARY_DIR}/debian/conffiles
               COPYONLY)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_BINARY_DIR}/debian/conffiles
    ${CMAKE_CURRENT_LIST_DIR}/debian/postinst
    ${CMAKE_CURRENT_LIST_DIR}/debian/prerm
    ${CMAKE_CURRENT_LIST_DIR}/debian/postrm)
# Maintainer scripts 0755 and conffiles 0644 whatever the checkout's modes (lintian checks).
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
