PRINT "\ud800";
