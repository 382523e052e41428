# The Debian package: `cpack -G DEB` in the build folder (tests/package runs
# it). Programs in /usr/bin, plugins in /usr/lib/shouhu/plugins, workflows and
# the web app in /usr/share/shouhu, the sample county's configuration in
# /etc/shouhu (conffiles), the systemd unit with its sysusers.d and tmpfiles.d
# files; deploy/package/postinst makes the user, the state directory and the
# data key. Runtime dependencies come from dpkg-shlibdeps.
# cpack installs what the build made; it does not build the tests first.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/workflows/ DESTINATION share/shouhu/workflows
        FILES_MATCHING PATTERN "*.json")
if(SHOUHU_BUILD_WEB)
  install(DIRECTORY ${SHOUHU_WEB_OUT}/ DESTINATION share/shouhu/web)
endif()
install(FILES ${PROJECT_SOURCE_DIR}/deploy/package/shouhud.json
              ${PROJECT_SOURCE_DIR}/deploy/county/organisation.json
              ${PROJECT_SOURCE_DIR}/deploy/county/access.json
        DESTINATION /etc/shouhu)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/shouhud.service DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/package/shouhu.sysusers
        DESTINATION lib/sysusers.d RENAME shouhu.conf)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/package/shouhu.tmpfiles
        DESTINATION lib/tmpfiles.d RENAME shouhu.conf)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/deploy/shouhud.production.json
        DESTINATION share/doc/shouhu)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME shouhu)
set(CPACK_PACKAGE_VENDOR "shouhu")
set(CPACK_PACKAGE_CONTACT "shouhu maintainers <shouhu@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "child-welfare mandatory-report case daemon (守护): durable workflows, timers and escalations")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd")
# tests/package rebuilds it as release 2 (`cpack -D CPACK_DEBIAN_PACKAGE_RELEASE=2`)
# to test an upgrade.
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/deploy/package/conffiles
    ${PROJECT_SOURCE_DIR}/deploy/package/postinst
    ${PROJECT_SOURCE_DIR}/deploy/package/prerm
    ${PROJECT_SOURCE_DIR}/deploy/package/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
